import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** `POST /api/confirm-item/`: take a DBU product into the inventory with its details. */
export class ConfirmItemDto {
  @ApiProperty({ example: 'ABC-001', description: "DBU's item number", maxLength: 64 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  product_no!: string;
}
