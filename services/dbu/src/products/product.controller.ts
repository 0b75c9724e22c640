import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Put, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Admin, CurrentPrincipal, type Principal } from '@pjs/auth';
import { assertPageExists, pageEnvelope, pageLinks } from '../catalogue/pagination';
import { ProductListQueryDto } from './dto/product-list.query';
import { ErrorDto, ProductDetailDto, ProductPageDto } from './dto/product.response';
import { ProductCreateDto, ProductPatchDto, ProductReplaceDto } from './dto/product-write.dto';
import { ProductAdminService } from './product-admin.service';
import { ProductService } from './product.service';

const JSON_TYPE = 'application/json; charset=utf-8';

/** `/api/products/…`: reads for every token, writes for admins. Only translates HTTP. */
@ApiTags('products')
@ApiSecurity('token')
@ApiUnauthorizedResponse({ type: ErrorDto, description: 'No or invalid token' })
@ApiForbiddenResponse({ type: ErrorDto, description: 'Address not allowed, or not an admin' })
@Controller('api/products')
export class ProductController {
  constructor(
    private readonly products: ProductService,
    private readonly admin: ProductAdminService,
  ) {}

  @Get()
  @Header('Content-Type', JSON_TYPE)
  @ApiOperation({ summary: 'Products, filtered and paginated (stable order by item_no)' })
  @ApiOkResponse({ type: ProductPageDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'Page past the end' })
  async list(@Query() query: ProductListQueryDto, @Req() req: Request): Promise<string> {
    const { page, count, results } = await this.products.list(query);
    assertPageExists(page, count);
    return pageEnvelope(count, pageLinks(req, page, count), results);
  }

  @Get(':item_no')
  @Header('Content-Type', JSON_TYPE)
  @ApiOperation({ summary: 'One product with manufacturer (GPSR), license, category, photos and discount' })
  @ApiOkResponse({ type: ProductDetailDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  detail(@Param('item_no') itemNo: string): Promise<string> {
    return this.products.detailJson(itemNo);
  }

  @Post()
  @Admin()
  @Header('Content-Type', JSON_TYPE)
  @ApiOperation({ summary: 'Create a product (admin)' })
  @ApiCreatedResponse({ type: ProductDetailDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiConflictResponse({ type: ErrorDto, description: 'The item number exists' })
  create(@Body() dto: ProductCreateDto, @CurrentPrincipal() principal: Principal): Promise<string> {
    return this.admin.create(dto, principal);
  }

  @Put(':item_no')
  @Admin()
  @Header('Content-Type', JSON_TYPE)
  @ApiOperation({ summary: 'Replace a product (admin); omitted fields are cleared, a deleted product is restored' })
  @ApiOkResponse({ type: ProductDetailDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  replace(
    @Param('item_no') itemNo: string,
    @Body() dto: ProductReplaceDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<string> {
    return this.admin.replace(itemNo, dto, principal);
  }

  @Patch(':item_no')
  @Admin()
  @Header('Content-Type', JSON_TYPE)
  @ApiOperation({ summary: 'Change some fields of a product (admin); null clears a field' })
  @ApiOkResponse({ type: ProductDetailDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  patch(
    @Param('item_no') itemNo: string,
    @Body() dto: ProductPatchDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<string> {
    return this.admin.patch(itemNo, dto, principal);
  }

  @Delete(':item_no')
  @Admin()
  @HttpCode(204)
  @ApiOperation({ summary: 'Soft-delete a product (admin); it stays in the history' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorDto })
  async remove(@Param('item_no') itemNo: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.admin.remove(itemNo, principal);
  }
}
